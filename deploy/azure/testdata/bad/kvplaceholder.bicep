// want: kv-order
// A container app whose placeholder revision already reads Key Vault: created in the deployment
// that grants its identity the role, before RBAC has propagated.

@description('Region.')
param location string

@description('Image to run; the placeholder until docpipe is deployed.')
param image string

@description('Key Vault references.')
param secretRefs object[]

var placeholderImage = 'mcr.microsoft.com/k8se/quickstart:latest'
var placeholder = image == placeholderImage

resource app 'Microsoft.App/containerApps@2026-01-01' = {
  name: 'ca-kv-placeholder'
  location: location
  properties: {
    configuration: {
      secrets: secretRefs
      ingress: {
        targetPort: placeholder ? 80 : 8080
      }
    }
    template: {
      containers: [
        {
          name: 'web'
          image: image
          env: [
            { name: 'DOCPIPE_OIDC_CLIENT_SECRET', secretRef: 'oidc-client-secret' }
          ]
        }
      ]
    }
  }
}
