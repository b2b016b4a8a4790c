// want: name-length
@description('Name of the thing, unbounded.')
param name string

@description('The name, echoed.')
output echoed string = name
