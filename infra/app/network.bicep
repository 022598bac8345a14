// Optional private networking (vnetEnabled): a VNet whose `app` subnet the Function App integrates with (delegated to
// Microsoft.App/environments, as Flex Consumption requires) and whose `private-endpoints` subnet holds private
// endpoints, with their private DNS zones, for tbmon's storage (blob, queue, table) and Key Vault. Modelled on the
// Flex Consumption quickstart's infra/app/vnet.bicep and storage-PrivateEndpoint.bicep
// (Azure-Samples/functions-quickstart-typescript-azd, commit cba3922), written with plain resources.
//
// What it is for: Log Analytics workspaces reachable only over Private Link (AMPLS with private-only query access).
// Link this VNet (or peer it) to that AMPLS's private endpoint and its privatelink.* DNS zones — they belong to
// the platform team's network, so this module does not create them. Flex Consumption sends all outbound traffic
// of an integrated app through the VNet, Key Vault references included.
param location string
param tags object
param token string
param storageAccountId string
param keyVaultId string

@description('Address space of the VNet; the two /24 subnets are carved from its first /16.')
param addressPrefix string = '10.42.0.0/16'

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: 'vnet-tbmon-${token}'
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: [addressPrefix] }
    subnets: [
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
        }
      }
      {
        name: 'app'
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 2)
          privateEndpointNetworkPolicies: 'Disabled'
          privateLinkServiceNetworkPolicies: 'Enabled'
          delegations: [{ name: 'flex', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
    ]
  }
}

// One private endpoint per sub-resource, each with its zone and a link of the zone to the VNet.
var endpoints = [
  { name: 'blob', target: storageAccountId, zone: 'privatelink.blob.${environment().suffixes.storage}' }
  { name: 'queue', target: storageAccountId, zone: 'privatelink.queue.${environment().suffixes.storage}' }
  { name: 'table', target: storageAccountId, zone: 'privatelink.table.${environment().suffixes.storage}' }
  { name: 'vault', target: keyVaultId, zone: 'privatelink.vaultcore.azure.net' }
]

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [for e in endpoints: {
  name: e.zone
  location: 'global'
  tags: tags
}]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [for (e, i) in endpoints: {
  parent: zones[i]
  name: 'tbmon-${token}'
  location: 'global'
  tags: tags
  properties: {
    virtualNetwork: { id: vnet.id }
    registrationEnabled: false
  }
}]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [for e in endpoints: {
  name: 'pe-tbmon-${e.name}-${token}'
  location: location
  tags: tags
  properties: {
    subnet: { id: '${vnet.id}/subnets/private-endpoints' }
    privateLinkServiceConnections: [
      {
        name: e.name
        properties: { privateLinkServiceId: e.target, groupIds: [e.name] }
      }
    ]
  }
}]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [for (e, i) in endpoints: {
  parent: privateEndpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [{ name: e.name, properties: { privateDnsZoneId: zones[i].id } }]
  }
}]

output appSubnetId string = '${vnet.id}/subnets/app'
output vnetId string = vnet.id
