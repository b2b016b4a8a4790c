// want: description
param name string

@description('')
param other string

output id string = '${name}${other}'
