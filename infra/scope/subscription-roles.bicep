// The scan's role for the monitor identity on one subscription: Log Analytics Reader. It includes `*/read` (every
// resource, so ARM and Resource Graph reads) besides the Log Analytics query actions
// (learn.microsoft.com/azure/role-based-access-control/built-in-roles/monitor#log-analytics-reader), so Reader beside
// it would add nothing.
targetScope = 'subscription'
import { roleIds } from 'roles.bicep'

param principalId string

resource logReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, roleIds.logAnalyticsReader)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.logAnalyticsReader)
  }
}
