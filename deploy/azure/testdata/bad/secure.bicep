// want: secure
@description('The database password, passed in clear.')
param databasePassword string

@description('A secret with a default baked in.')
@secure()
param apiToken string = 'hunter2'

@description('Both, so nothing is unused.')
output n int = length(databasePassword) + length(apiToken)
