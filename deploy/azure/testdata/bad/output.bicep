// want: output-secret
@description('A secret.')
@secure()
param clientSecret string

@description('Leaks the secret param.')
output copy string = clientSecret
