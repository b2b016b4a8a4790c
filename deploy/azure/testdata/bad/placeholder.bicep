// want: placeholder
// Container apps whose first revision, on the placeholder image, never gets healthy.

@description('Region.')
param location string

@description('Container Apps environment.')
param environmentId string

@description('Image to run; the placeholder until docpipe is deployed.')
param image string

@description('Port docpipe listens on.')
param targetPort int = 8080

var placeholderImage = 'mcr.microsoft.com/k8se/quickstart:latest'
var placeholder = image == placeholderImage

// As it was: docpipe's port and probes whatever the image.
resource before 'Microsoft.App/containerApps@2026-01-01' = {
  name: 'ca-before'
  location: location
  properties: {
    environmentId: environmentId
    configuration: {
      ingress: {
        targetPort: targetPort
      }
    }
    template: {
      containers: [
        {
          name: 'api'
          image: image
          args: [
            'api'
          ]
          probes: [
            {
              type: 'Startup'
              httpGet: {
                path: '/healthz'
                port: targetPort
              }
            }
          ]
        }
      ]
    }
  }
}

// Halfway: the placeholder's port, but an httpGet probe, a probe on another port, docpipe's
// arguments; and docpipe's own probe on a port the ingress does not target.
resource halfway 'Microsoft.App/containerApps@2026-01-01' = {
  name: 'ca-halfway'
  location: location
  properties: {
    environmentId: environmentId
    configuration: {
      ingress: {
        targetPort: placeholder ? 80 : targetPort
      }
    }
    template: {
      containers: [
        {
          name: 'api'
          image: image
          args: [
            'api'
          ]
          probes: placeholder ? [
            {
              type: 'Liveness'
              httpGet: {
                path: '/'
                port: 80
              }
            }
            {
              type: 'Startup'
              tcpSocket: {
                port: 8080
              }
            }
          ] : [
            {
              type: 'Startup'
              httpGet: {
                path: '/healthz'
                port: 9090
              }
            }
          ]
        }
      ]
    }
  }
}

var real = image != placeholderImage

// Negated tests (!=, !, parentheses): the probes and arguments are right for the placeholder, the
// port is swapped both ways.
resource negated 'Microsoft.App/containerApps@2026-01-01' = {
  name: 'ca-negated'
  location: location
  properties: {
    environmentId: environmentId
    configuration: {
      ingress: {
        targetPort: !real ? targetPort : 80
      }
    }
    template: {
      containers: [
        {
          name: 'api'
          image: image
          args: (real) ? ['api'] : []
          probes: real ? [
            {
              type: 'Startup'
              httpGet: {
                path: '/healthz'
                port: targetPort
              }
            }
          ] : [
            {
              type: 'Startup'
              tcpSocket: {
                port: 80
              }
            }
          ]
        }
      ]
    }
  }
}
