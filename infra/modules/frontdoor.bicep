// Front Door in front of the media container. Players fetch HLS segments, posters and captions
// through the CDN with a user-delegation SAS in the query string. By default the cache keys on the
// query string, so one viewer's signed URL never serves another's request (posters, captions,
// certificates, unencrypted segments). AES-128 encrypted segments (enc_*.ts, shared/media/model.py)
// are cached ignoring the query string: one cache entry per segment for every viewer, kept as long
// as the blob's Cache-Control says (immutable, a year). That is safe because a segment is useless
// without its key, which only the API's per-learner key route hands out; the SAS still guards the
// origin on a miss.
param name string
param tags object
param storageBlobHost string
@description('Segments of encrypted HLS ladders begin with this (ENCRYPTED_SEGMENT_PREFIX in shared/media/model.py)')
param encryptedSegmentPrefix string = 'enc_'

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

resource ruleSet 'Microsoft.Cdn/profiles/ruleSets@2024-02-01' = {
  parent: profile
  name: 'media'
}

resource sharedSegments 'Microsoft.Cdn/profiles/ruleSets/rules@2024-02-01' = {
  parent: ruleSet
  name: 'encryptedSegments'
  properties: {
    order: 1
    matchProcessingBehavior: 'Stop'
    conditions: [
      {
        name: 'UrlFileName'
        parameters: {
          typeName: 'DeliveryRuleUrlFilenameConditionParameters'
          operator: 'BeginsWith'
          negateCondition: false
          matchValues: [encryptedSegmentPrefix]
          transforms: []
        }
      }
      {
        name: 'UrlFileExtension'
        parameters: {
          typeName: 'DeliveryRuleUrlFileExtensionMatchConditionParameters'
          operator: 'Equal'
          negateCondition: false
          matchValues: ['ts']
          transforms: ['Lowercase']
        }
      }
      {
        name: 'RequestMethod'
        parameters: {
          typeName: 'DeliveryRuleRequestMethodConditionParameters'
          operator: 'Equal'
          negateCondition: false
          matchValues: ['GET', 'HEAD']
        }
      }
    ]
    actions: [
      {
        name: 'RouteConfigurationOverride'
        parameters: {
          typeName: 'DeliveryRuleRouteConfigurationOverrideActionParameters'
          cacheConfiguration: {
            queryStringCachingBehavior: 'IgnoreQueryString'
            cacheBehavior: 'HonorOrigin'
            isCompressionEnabled: 'Disabled'
          }
        }
      }
    ]
  }
}

resource route 'Microsoft.Cdn/profiles/afdEndpoints/routes@2024-02-01' = {
  parent: endpoint
  name: 'media'
  dependsOn: [origin, sharedSegments]
  properties: {
    originGroup: { id: originGroup.id }
    ruleSets: [{ id: ruleSet.id }]
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
