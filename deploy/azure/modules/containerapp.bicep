// One docpipe role as a container app: the image's command picks the role (docpipe api, docpipe web).
// Single revision mode, a user-assigned identity for the registry, Key Vault and data access,
// probes on /healthz and /readyz, and an HTTP concurrency scale rule.
//
// Until docpipe is deployed the app runs the placeholder image (main.bicep's default): it listens on
// port 80, serves a page but no /healthz or /readyz, and knows nothing of docpipe's arguments,
// settings or secrets. Such a revision gets the placeholder's port and TCP probes and none of
// docpipe's configuration, so it becomes healthy; the deployment that brings docpipe's image
// (provision.sh from release.sh, or azd provision from the postdeploy hook) brings the port,
// probes, settings and Key Vault reference with it, in one revision. See docs/azure.md, "First
// provision and the placeholder" (rules placeholder and kv-order).

@description('An environment variable: a plain value, or secretRef naming one of secretRefs.')
type envVar = {
  @description('Variable name.')
  name: string

  @description('Plain value; never a secret.')
  value: string?

  @description('Name of the Key Vault-backed secret that holds the value.')
  secretRef: string?
}

@description('A secret as a Key Vault reference read with a user-assigned identity; there is no field for a value.')
type keyVaultSecret = {
  @description('Secret name inside the app.')
  name: string

  @description('Versionless Key Vault secret URI.')
  keyVaultUrl: string

  @description('Resource ID of the identity that reads it.')
  identity: string
}

@description('Name of the container app: 2-32 lowercase letters, digits and hyphens.')
@minLength(2)
@maxLength(32)
param name string

@description('Region of the app.')
param location string

@description('Tags of the app; azd-service-name tells azd which service deploys here.')
param tags object

@description('Resource ID of the Container Apps environment.')
param environmentId string

@description('Resource ID of the app\'s user-assigned identity.')
param identityId string

@description('Login server of the registry, pulled with the app\'s identity.')
param registryServer string

@description('Image to run.')
@minLength(1)
param image string

@description('docpipe role the container runs.')
@allowed([
  'api'
  'web'
])
param role string

@description('True for ingress from the internet, false for ingress only inside the environment.')
param external bool

@description('Port docpipe listens on (DOCPIPE_ADDR).')
param targetPort int = 8080

@description('Fewest replicas; 1 keeps the first request fast.')
@minValue(0)
@maxValue(30)
param minReplicas int = 1

@description('Most replicas.')
@minValue(1)
@maxValue(300)
param maxReplicas int = 10

@description('Concurrent HTTP requests per replica before another is added.')
@minValue(1)
param concurrentRequests int = 50

@description('Environment variables.')
param env envVar[]

@description('Secrets as Key Vault references; values are never passed.')
param secretRefs keyVaultSecret[]

@description('CPU cores per replica.')
param cpu string = '0.5'

@description('Memory per replica.')
param memory string = '1Gi'

// The placeholder image and the port it listens on; main.bicep, main.parameters.json and
// scripts/provision.sh name the same image (TestPlaceholderImage).
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart:latest'
var placeholderPort = 80
var placeholder = image == placeholderImage
var port = placeholder ? placeholderPort : targetPort

resource app 'Microsoft.App/containerApps@2026-01-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: external
        targetPort: port
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      // The placeholder revision reads no secret: the first revision that references Key Vault is
      // created by a later deployment than the one that grants the identity Key Vault Secrets User,
      // so the role assignment has propagated by then (docs/azure.md).
      secrets: placeholder ? [] : secretRefs
    }
    template: {
      containers: [
        {
          name: role
          image: image
          args: placeholder ? [] : [role]
          env: placeholder ? [] : concat(env, [{ name: 'DOCPIPE_ADDR', value: '0.0.0.0:${targetPort}' }])
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          probes: placeholder ? [
            {
              type: 'Liveness'
              tcpSocket: {
                port: placeholderPort
              }
              periodSeconds: 10
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              tcpSocket: {
                port: placeholderPort
              }
              periodSeconds: 5
              failureThreshold: 2
            }
            {
              type: 'Startup'
              tcpSocket: {
                port: placeholderPort
              }
              periodSeconds: 2
              failureThreshold: 30
            }
          ] : [
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz'
                port: targetPort
              }
              periodSeconds: 10
              failureThreshold: 3
            }
            {
              type: 'Readiness'
              httpGet: {
                path: '/readyz'
                port: targetPort
              }
              periodSeconds: 5
              failureThreshold: 2
            }
            {
              type: 'Startup'
              httpGet: {
                path: '/healthz'
                port: targetPort
              }
              periodSeconds: 2
              failureThreshold: 30
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http'
            http: {
              metadata: {
                concurrentRequests: string(concurrentRequests)
              }
            }
          }
        ]
      }
    }
  }
}

@description('Name of the app.')
output name string = app.name

@description('FQDN of the ingress; for internal ingress it resolves only inside the environment.')
output fqdn string = app.properties.configuration.ingress.fqdn
