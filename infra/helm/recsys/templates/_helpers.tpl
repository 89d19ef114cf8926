{{/*
Shared named templates. Every per-component template is called with a context dict:
  (dict "root" $ "name" "<component>")
and reads the component's values from (index .root.Values .name).
*/}}

{{- define "recsys.components" -}}serving admin ingest publisher{{- end -}}

{{- define "recsys.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains "recsys" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-recsys" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "recsys.componentName" -}}
{{- printf "%s-%s" (include "recsys.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "recsys.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "recsys.selectorLabels" -}}
app.kubernetes.io/name: recsys
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "recsys.labels" -}}
{{ include "recsys.selectorLabels" . }}
{{ include "recsys.commonLabels" . }}
{{- end -}}

{{/* Labels without the selector ones (name, instance, component). */}}
{{- define "recsys.commonLabels" -}}
helm.sh/chart: {{ include "recsys.chart" .root }}
app.kubernetes.io/version: {{ include "recsys.imageTag" . | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: recsys
{{- end -}}

{{- define "recsys.imageTag" -}}
{{- $c := index .root.Values .name -}}
{{- $c.image.tag | default .root.Values.global.imageTag | default .root.Chart.AppVersion -}}
{{- end -}}

{{- define "recsys.image" -}}
{{- $c := index .root.Values .name -}}
{{- $repo := $c.image.repository | default (printf "%s/%s" .root.Values.global.imageRegistry .name) -}}
{{- if $c.image.digest -}}
{{- printf "%s@%s" $repo $c.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (include "recsys.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{- define "recsys.envPrefix" -}}{{ upper .name }}{{- end -}}

{{/* URL of a component's Service inside the cluster. Call with (dict "root" $ "name" "<component>"). */}}
{{- define "recsys.serviceUrl" -}}
{{- $c := index .root.Values .name -}}
{{- printf "http://%s:%v" (include "recsys.componentName" .) $c.port -}}
{{- end -}}

{{/*
Container env: non-secret settings inline (so a change rolls the pods), secrets by reference only.
Order: computed defaults < global.env < component env; secret refs last.
*/}}
{{- define "recsys.env" -}}
{{- $root := .root -}}
{{- $c := index $root.Values .name -}}
{{- $g := $root.Values.global -}}
{{- $env := dict -}}
{{- $_ := set $env "ENV" $g.environment -}}
{{- $_ := set $env "LOG_LEVEL" $g.logLevel -}}
{{- $_ := set $env "REDIS_KEY_PREFIX" $g.redisKeyPrefix -}}
{{- $_ := set $env "MIGRATE_ON_START" "false" -}}
{{- $_ := set $env "OTEL_TRACES_EXPORTER" $g.otel.tracesExporter -}}
{{- $_ := set $env "OTEL_SERVICE_NAME" (printf "recsys-%s" .name) -}}
{{- if $g.otel.endpoint }}{{- $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" $g.otel.endpoint -}}{{- end -}}
{{- $_ := set $env (printf "%s_PORT" (include "recsys.envPrefix" .)) (toString $c.port) -}}
{{- $_ := set $env (printf "%s_HOST" (include "recsys.envPrefix" .)) "0.0.0.0" -}}
{{- $_ := set $env "ADMIN_URL" (include "recsys.serviceUrl" (dict "root" $root "name" "admin")) -}}
{{- $_ := set $env "SERVING_URL" (include "recsys.serviceUrl" (dict "root" $root "name" "serving")) -}}
{{- $_ := set $env "INGEST_URL" (include "recsys.serviceUrl" (dict "root" $root "name" "ingest")) -}}
{{- range $k, $v := $g.env }}{{- $_ := set $env $k (toString $v) -}}{{- end -}}
{{- range $k, $v := $c.env }}{{- $_ := set $env $k (toString $v) -}}{{- end -}}
{{- range $k := keys $env | sortAlpha }}
- name: {{ $k }}
  value: {{ index $env $k | quote }}
{{- end }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $g.secrets.databaseUrl.name }}
      key: {{ $g.secrets.databaseUrl.key }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ $g.secrets.redisUrl.name }}
      key: {{ $g.secrets.redisUrl.key }}
- name: SERVICE_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $g.secrets.serviceToken.name }}
      key: {{ $g.secrets.serviceToken.key }}
{{- range $c.secretEnv }}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secretName }}
      key: {{ .key }}
      {{- if hasKey . "optional" }}
      optional: {{ .optional }}
      {{- end }}
{{- end }}
{{- end -}}

{{- define "recsys.envFrom" -}}
{{- $c := index .root.Values .name -}}
{{- with concat .root.Values.global.envFrom $c.envFrom }}
envFrom:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "recsys.podSecurity" -}}
automountServiceAccountToken: false
{{- with .root.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.global.podSecurityContext | nindent 2 }}
{{- end -}}

{{- define "recsys.tmpVolume" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- end -}}

{{- define "recsys.tmpMount" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{/* Guards against unsafe combinations; called from templates/validate.yaml. */}}
{{- define "recsys.validate" -}}
{{- $v := .Values -}}
{{- if and (or $v.devDependencies.postgres.enabled $v.devDependencies.redis.enabled) (not $v.devSecrets.create) -}}
{{- fail "devDependencies need devSecrets.create=true (the dev Postgres password and connection URLs live there)" -}}
{{- end -}}
{{- if and $v.devSecrets.create (eq $v.global.environment "production") -}}
{{- fail "devSecrets.create=true is for local clusters only; it cannot be combined with global.environment=production" -}}
{{- end -}}
{{- if and (or $v.devDependencies.postgres.enabled $v.devDependencies.redis.enabled) $v.migrations.hook -}}
{{- fail "migrations.hook must be false when devDependencies are installed by this release (hooks run before the database exists)" -}}
{{- end -}}
{{- if and (eq $v.global.environment "production") (eq (toString (index $v.global.env "DEV_AUTH_ENABLED" | default "false")) "true") -}}
{{- fail "DEV_AUTH_ENABLED=true is refused with global.environment=production" -}}
{{- end -}}
{{- end -}}
