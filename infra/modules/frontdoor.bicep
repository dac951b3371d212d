// Front Door in front of the media container: players fetch HLS through the CDN with a
// short-lived user-delegation SAS in the query string (cached per query string, so one
// viewer's signature never serves another's request).
param name string
param tags object
param storageBlobHost string

resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: name
  location: 'global'
  tags: tags
  sku: { name: 'Standard_AzureFrontDoor' }
}

resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' = {
  parent: profile
  name: 'media-${uniqueString(profile.id)}'
  location: 'global'
  properties: { enabledState: 'Enabled' }
}

resource originGroup 'Microsoft.Cdn/profiles/originGroups@2024-02-01' = {
  parent: profile
  name: 'media-blobs'
  properties: {
    loadBalancingSettings: { sampleSize: 4, successfulSamplesRequired: 3 }
    healthProbeSettings: { probePath: '/', probeRequestType: 'HEAD', probeProtocol: 'Https', probeIntervalInSeconds: 240 }
  }
}

resource origin 'Microsoft.Cdn/profiles/originGroups/origins@2024-02-01' = {
  parent: originGroup
  name: 'storage'
  properties: {
    hostName: storageBlobHost
    originHostHeader: storageBlobHost
    httpsPort: 443
    priority: 1
    weight: 1000
  }
}

resource route 'Microsoft.Cdn/profiles/afdEndpoints/routes@2024-02-01' = {
  parent: endpoint
  name: 'media'
  dependsOn: [origin]
  properties: {
    originGroup: { id: originGroup.id }
    // Uploads pass through too: upload URLs are signed against this host (PUT is forwarded, never cached).
    patternsToMatch: ['/media/*', '/certificates/*']
    supportedProtocols: ['Https']
    httpsRedirect: 'Enabled'
    forwardingProtocol: 'HttpsOnly'
    linkToDefaultDomain: 'Enabled'
    cacheConfiguration: { queryStringCachingBehavior: 'UseQueryString' }
  }
}

output hostName string = endpoint.properties.hostName
