{{/*
The chart name, truncated to 63 characters (a DNS label).
*/}}
{{- define "docpipe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name prefix of every object: RELEASE-docpipe, or RELEASE when it already contains the
chart name. Roles append -api, -web or -worker, so it is kept to 56 characters.
*/}}
{{- define "docpipe.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 56 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 56 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 56 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "docpipe.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object.
*/}}
{{- define "docpipe.labels" -}}
helm.sh/chart: {{ include "docpipe.chart" . }}
{{ include "docpipe.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: docpipe
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "docpipe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "docpipe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels and selector labels of one role; called with (dict "root" $ "role" "api").
*/}}
{{- define "docpipe.roleLabels" -}}
{{ include "docpipe.labels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "docpipe.roleSelectorLabels" -}}
{{ include "docpipe.selectorLabels" .root }}
app.kubernetes.io/component: {{ .role }}
{{- end }}

{{- define "docpipe.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "docpipe.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: the digest pins it when set; the tag defaults to the chart's appVersion.
*/}}
{{- define "docpipe.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{- define "docpipe.secretName" -}}
{{- default (include "docpipe.fullname" .) .Values.existingSecret.name }}
{{- end }}

{{/*
The key of the OIDC client secret in the Secret, or nothing for a public client.
*/}}
{{- define "docpipe.oidcClientSecretKey" -}}
{{- if .Values.existingSecret.name }}
{{- .Values.existingSecret.oidcClientSecretKey }}
{{- else if .Values.auth.oidc.clientSecret }}
{{- print "oidc-client-secret" }}
{{- end }}
{{- end }}

{{- define "docpipe.sessionKeyKey" -}}
{{- if .Values.existingSecret.name }}
{{- .Values.existingSecret.sessionKeyKey }}
{{- else }}
{{- print "session-key" }}
{{- end }}
{{- end }}

{{- define "docpipe.databaseUrlKey" -}}
{{- if .Values.existingSecret.name }}
{{- .Values.existingSecret.databaseUrlKey }}
{{- else }}
{{- print "database-url" }}
{{- end }}
{{- end }}

{{/*
The public URL browsers use: config.publicUrl, else the first ingress host.
*/}}
{{- define "docpipe.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl }}
{{- else if and .Values.ingress.enabled .Values.ingress.hosts }}
{{- $host := (first .Values.ingress.hosts).host }}
{{- printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.tls) 0)) $host }}
{{- end }}
{{- end }}

{{/*
Fails rendering, with the value to set, when the chart cannot produce a working system.
*/}}
{{- define "docpipe.validate" -}}
{{- if not (or .Values.database.url .Values.existingSecret.name) }}
{{- fail "docpipe needs PostgreSQL: set database.url (postgres://USER:PASSWORD@HOST:5432/DB) or existingSecret.name" }}
{{- end }}
{{- if not .Values.blob.url }}
{{- fail "docpipe needs a bucket shared by every pod: set blob.url (s3://BUCKET?region=REGION)" }}
{{- end }}
{{- if hasPrefix "file:" .Values.blob.url }}
{{- fail "blob.url: a file:// bucket is not shared between pods; use s3:// (or another shared bucket)" }}
{{- end }}
{{- if and .Values.database.url (not (regexMatch "^postgres(ql)?://" .Values.database.url)) }}
{{- fail "database.url: want a postgres:// URL; the embedded SQLite store cannot be shared by several pods" }}
{{- end }}
{{- if eq .Values.auth.mode "oidc" }}
{{- if not .Values.auth.oidc.issuer }}
{{- fail "auth.mode=oidc needs auth.oidc.issuer (or set auth.mode=none on purpose)" }}
{{- end }}
{{- if not .Values.auth.oidc.audience }}
{{- fail "auth.mode=oidc needs auth.oidc.audience" }}
{{- end }}
{{- if not .Values.auth.oidc.clientId }}
{{- fail "auth.mode=oidc needs auth.oidc.clientId for the web's sign-in" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Spread constraints of one role: its own list when given, else one per topologySpread key.
Called with (dict "root" $ "role" "api" "values" .Values.api).
*/}}
{{- define "docpipe.topologySpread" -}}
{{- if .values.topologySpreadConstraints }}
{{- toYaml .values.topologySpreadConstraints }}
{{- else if .root.Values.topologySpread.enabled }}
{{- range .root.Values.topologySpread.topologyKeys }}
- maxSkew: {{ $.root.Values.topologySpread.maxSkew }}
  topologyKey: {{ . }}
  whenUnsatisfiable: {{ $.root.Values.topologySpread.whenUnsatisfiable }}
  labelSelector:
    matchLabels:
      {{- include "docpipe.roleSelectorLabels" $ | nindent 6 }}
  matchLabelKeys:
    - pod-template-hash
{{- end }}
{{- end }}
{{- end }}

{{/*
The pod template of one role. Called with (dict "root" $ "role" "api" "values" .Values.api
"args" (list "api") "env" (list ...EnvVar) "secretKeys" (list (dict "env" "DOCPIPE_DATABASE_URL"
"key" "KEY IN THE SECRET" "file" "database-url"))); each secret becomes the file /etc/docpipe/secrets/FILE.
With "job" true the pod runs to completion: no ports, no probes, restartPolicy Never.
*/}}
{{- define "docpipe.podTemplate" -}}
{{- $root := .root -}}
metadata:
  labels:
    {{- include "docpipe.roleLabels" . | nindent 4 }}
    {{- with .values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
    {{- if not $root.Values.existingSecret.name }}
    checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
    {{- end }}
    {{- with .values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "docpipe.serviceAccountName" $root }}
  automountServiceAccountToken: {{ $root.Values.serviceAccount.automountToken }}
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ .values.terminationGracePeriodSeconds }}
  {{- if .job }}
  restartPolicy: Never
  {{- end }}
  {{- with $root.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $root.Values.podSecurityContext | nindent 4 }}
  containers:
    - name: {{ .role }}
      image: {{ include "docpipe.image" $root | quote }}
      imagePullPolicy: {{ $root.Values.image.pullPolicy }}
      args:
        {{- toYaml .args | nindent 8 }}
      {{- if not .job }}
      ports:
        - name: http
          containerPort: 8080
          protocol: TCP
      {{- end }}
      envFrom:
        - configMapRef:
            name: {{ include "docpipe.fullname" $root }}
      env:
        - name: DOCPIPE_SHUTDOWN_TIMEOUT
          value: {{ printf "%ds" (sub (int .values.terminationGracePeriodSeconds) 10 | max 1) | quote }}
        {{- if and (eq $root.Values.auth.mode "oidc") $root.Values.auth.oidc.tokenUse }}
        {{- /* Here, not in the ConfigMap: scanners take a key named *TOKEN* there for a secret. */}}
        - name: DOCPIPE_OIDC_TOKEN_USE
          value: {{ $root.Values.auth.oidc.tokenUse | quote }}
        {{- end }}
        {{- range .secretKeys }}
        - name: {{ .env }}_FILE
          value: /etc/docpipe/secrets/{{ .file }}
        {{- end }}
        {{- with .env }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
        {{- with .values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if not .job }}
      startupProbe:
        httpGet:
          path: /healthz
          port: http
        {{- toYaml $root.Values.probes.startup | nindent 8 }}
      livenessProbe:
        httpGet:
          path: /healthz
          port: http
        {{- toYaml $root.Values.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: http
        {{- toYaml $root.Values.probes.readiness | nindent 8 }}
      {{- end }}
      resources:
        {{- toYaml .values.resources | nindent 8 }}
      securityContext:
        {{- toYaml $root.Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
        {{- if .secretKeys }}
        - name: secrets
          mountPath: /etc/docpipe/secrets
          readOnly: true
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ $root.Values.tmpSizeLimit }}
    {{- if .secretKeys }}
    - name: secrets
      secret:
        secretName: {{ include "docpipe.secretName" $root }}
        defaultMode: 0440
        items:
          {{- range .secretKeys }}
          - key: {{ .key }}
            path: {{ .file }}
          {{- end }}
    {{- end }}
  {{- with .values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with (include "docpipe.topologySpread" . | trim) }}
  topologySpreadConstraints:
    {{- . | nindent 4 }}
  {{- end }}
{{- end }}
