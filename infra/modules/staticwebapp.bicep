// The web app (web/): Azure Static Web Apps serves the built files; azd deploys web/dist to it
// (azure.yaml service `web`, host staticwebapp, found by its azd-service-name tag).
//
// SKU: Free by default. The app is static files calling the Functions API by its own URL (CORS), so
// it needs none of Standard's features (linked backends, private endpoints, custom auth, an SLA);
// pass sku 'Standard' for an SLA or more custom domains.
param name string
@description('Static Web Apps runs in few regions; its content is served from a global edge anyway')
param location string
param tags object
@allowed(['Free', 'Standard'])
param sku string = 'Free'

resource web 'Microsoft.Web/staticSites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'web' })
  sku: { name: sku, tier: sku }
  properties: {
    // No repository: azd uploads the built folder with the site's deployment token.
    allowConfigFileUpdates: true
    stagingEnvironmentPolicy: 'Disabled'
  }
}

output name string = web.name
output defaultHostname string = web.properties.defaultHostname
output uri string = 'https://${web.properties.defaultHostname}'
