// The tbmon fleet workbook on the Application Insights component: fleet status over time, top causes, coverage,
// reach, cost, sweep duration, notices (infra/app/workbook.json, Notebook/1.0; every query is validated against the
// Application Insights schemas by test/deploy/bicep.test.ts). In the portal: the component → Workbooks → tbmon fleet.
// Shape: learn.microsoft.com/azure/templates/microsoft.insights/workbooks (2023-06-01).
param location string
param tags object
param token string
param applicationInsightsId string

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name is a GUID; this one is stable per environment, so a provision updates it in place.
  name: guid(applicationInsightsId, 'tbmon-fleet-workbook', token)
  location: location
  tags: union(tags, { 'hidden-title': 'tbmon fleet' })
  kind: 'shared'
  properties: {
    displayName: 'tbmon fleet'
    category: 'workbook'
    sourceId: applicationInsightsId
    serializedData: loadTextContent('workbook.json')
  }
}

output workbookId string = workbook.id
