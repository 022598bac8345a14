// TBMON_SCOPE=managementGroup:<id> (azd deploys at subscription scope only): the postprovision hook
// (infra/scripts/azd-hooks.mjs) runs `node infra/scripts/grant.mjs --management-group <id>`, or prints it, which
// assigns the same role with the Azure CLI. This template is the same grant for a pipeline that deploys templates:
//   az deployment mg create --name tbmon-roles --management-group-id <id> --location <region> \
//     --template-file infra/scope/management-group-roles.bicep --parameters principalId=<TBMON_IDENTITY_PRINCIPAL_ID>
// Log Analytics Reader (it includes */read: ARM + Resource Graph) on every subscription under the group, including
// subscriptions added later (role assignments inherit down the hierarchy).
targetScope = 'managementGroup'
import { roleIds } from 'roles.bicep'

@description('Principal (object) id of the tbmon managed identity: the azd output TBMON_IDENTITY_PRINCIPAL_ID.')
param principalId string

resource logReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, roleIds.logAnalyticsReader)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', roleIds.logAnalyticsReader)
  }
}
