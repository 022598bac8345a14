// The NSG evaluator's public surface (DESIGN.md § nsg).
export { IntervalSet } from './intervals';
export { parsePrefix, toCidrs, formatAddress, PUBLIC_SPACE, type IpFamily } from './cidr';
export { parseNsg, parseEffectiveNsg, parseRule, parsePorts, armIdParts, DEFAULT_RULES, type NsgRule, type ParsedNsg, type Direction, type Access, type FlowProtocol, type RuleProtocol, type AddressElement } from './rules';
export { AddressResolver, addressResolver, tagContains, type AddressContext, type VirtualNetworkSpace, type ServiceTagEntry, type Resolution } from './address-space';
export { evaluateFlow, type Flow, type Endpoint, type NsgPath, type NsgLevel, type FlowVerdict, type FlowPart, type RuleRef, type ExaminedRule, type LevelDecision, type PartAccess } from './evaluate';
export { FlowMemo, IdentityMemo } from './memo';
