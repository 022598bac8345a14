// Separate step for TBMON_SCOPE=managementGroup:<id> (azd deploys at subscription scope only):
//   az deployment mg create --management-group-id <id> --location <region> \
//     --template-file infra/scope/management-group-roles.bicep --parameters principalId=<TBMON_IDENTITY_PRINCIPAL_ID>
// Grants Reader (ARM + Resource Graph) and Log Analytics Reader on every subscription under the group, including
// subscriptions added later (role assignments inherit down the hierarchy).
targetScope = 'managementGroup'
import { roleIds } from 'roles.bicep'

@description('Principal (object) id of the tbmon managed identity: the azd output TBMON_IDENTITY_PRINCIPAL_ID.')
param principalId string

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, roleIds.reader)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', roleIds.reader)
  }
}

resource logReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(managementGroup().id, principalId, roleIds.logAnalyticsReader)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', roleIds.logAnalyticsReader)
  }
}
