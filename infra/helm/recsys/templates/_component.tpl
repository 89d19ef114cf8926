{{/*
Per-component resources. templates/<component>/*.yaml call these with (dict "root" $ "name" "<component>").
*/}}

{{- define "recsys.serviceaccount" -}}
{{- $c := index .root.Values .name -}}
{{- if $c.enabled }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "recsys.componentName" . }}
  labels:
    {{- include "recsys.labels" . | nindent 4 }}
automountServiceAccountToken: false
{{- end }}
{{- end -}}

{{- define "recsys.deployment" -}}
{{- $c := index .root.Values .name -}}
{{- if $c.enabled }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "recsys.componentName" . }}
  labels:
    {{- include "recsys.labels" . | nindent 4 }}
spec:
  {{- if not $c.autoscaling.enabled }}
  replicas: {{ $c.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 25%
  selector:
    matchLabels:
      {{- include "recsys.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "recsys.selectorLabels" . | nindent 8 }}
        {{- with $c.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      annotations:
        prometheus.io/scrape: 'true'
        prometheus.io/port: {{ $c.port | quote }}
        prometheus.io/path: /metrics
        {{- with $c.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "recsys.componentName" . }}
      {{- include "recsys.podSecurity" . | nindent 6 }}
      terminationGracePeriodSeconds: {{ $c.terminationGracePeriodSeconds }}
      containers:
        - name: {{ .name }}
          image: {{ include "recsys.image" . }}
          imagePullPolicy: {{ .root.Values.global.imagePullPolicy }}
          {{- if eq .name "publisher" }}
          # Scheduled mode: the long-running runner with /healthz, /readyz and /metrics.
          command: ['node', '--import', './dist/instrumentation.js', 'dist/main.js']
          {{- end }}
          ports:
            - name: http
              containerPort: {{ $c.port }}
              protocol: TCP
          env:
            {{- include "recsys.env" . | nindent 12 }}
          {{- include "recsys.envFrom" . | nindent 10 }}
          startupProbe:
            httpGet: { path: /healthz, port: http }
            periodSeconds: {{ $c.probes.startup.periodSeconds }}
            timeoutSeconds: {{ $c.probes.startup.timeoutSeconds }}
            failureThreshold: {{ $c.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            initialDelaySeconds: {{ $c.probes.liveness.initialDelaySeconds }}
            periodSeconds: {{ $c.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $c.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $c.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet: { path: /readyz, port: http }
            initialDelaySeconds: {{ $c.probes.readiness.initialDelaySeconds }}
            periodSeconds: {{ $c.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $c.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $c.probes.readiness.failureThreshold }}
          lifecycle:
            # Give endpoints controllers time to remove the pod before SIGTERM starts draining.
            preStop:
              exec:
                command: ['sleep', '5']
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          securityContext:
            {{- toYaml .root.Values.global.containerSecurityContext | nindent 12 }}
          {{- include "recsys.tmpMount" . | nindent 10 }}
      {{- include "recsys.tmpVolume" . | nindent 6 }}
      {{- with $c.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $c.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      topologySpreadConstraints:
        {{- if $c.topologySpreadConstraints }}
        {{- toYaml $c.topologySpreadConstraints | nindent 8 }}
        {{- else }}
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "recsys.selectorLabels" . | nindent 14 }}
        {{- end }}
{{- end }}
{{- end -}}

{{- define "recsys.service" -}}
{{- $c := index .root.Values .name -}}
{{- if $c.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "recsys.componentName" . }}
  labels:
    {{- include "recsys.labels" . | nindent 4 }}
  {{- with $c.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $c.service.type }}
  selector:
    {{- include "recsys.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $c.port }}
      targetPort: http
      protocol: TCP
{{- end }}
{{- end -}}

{{- define "recsys.migrationJob" -}}
{{- $c := index .root.Values .name -}}
{{- $m := .root.Values.migrations -}}
{{- if and $c.enabled $c.migration.enabled }}
apiVersion: batch/v1
kind: Job
metadata:
  {{- if $m.hook }}
  name: {{ include "recsys.componentName" . }}-migrate
  {{- else }}
  # Plain Job: the revision in the name lets an upgrade create a new Job instead of patching an immutable one.
  name: {{ printf "%s-migrate-r%d" (include "recsys.componentName" .) .root.Release.Revision }}
  {{- end }}
  labels:
    app.kubernetes.io/name: recsys
    app.kubernetes.io/instance: {{ .root.Release.Name }}
    app.kubernetes.io/component: {{ .name }}-migrate
    {{- include "recsys.commonLabels" . | nindent 4 }}
  {{- if $m.hook }}
  annotations:
    # Runs before the new pods of this release are created; a failed migration aborts the install/upgrade
    # and leaves the running version untouched.
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: '-5'
    helm.sh/hook-delete-policy: before-hook-creation
  {{- end }}
spec:
  backoffLimit: {{ $m.backoffLimit }}
  activeDeadlineSeconds: {{ $m.activeDeadlineSeconds }}
  ttlSecondsAfterFinished: {{ $m.ttlSecondsAfterFinished }}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: recsys
        app.kubernetes.io/instance: {{ .root.Release.Name }}
        app.kubernetes.io/component: {{ .name }}-migrate
    spec:
      restartPolicy: Never
      {{- include "recsys.podSecurity" . | nindent 6 }}
      containers:
        - name: migrate
          image: {{ include "recsys.image" . }}
          imagePullPolicy: {{ .root.Values.global.imagePullPolicy }}
          command: ['node', 'dist/migrate.js']
          env:
            {{- include "recsys.env" . | nindent 12 }}
          {{- include "recsys.envFrom" . | nindent 10 }}
          resources:
            requests: { cpu: 50m, memory: 128Mi }
            limits: { cpu: 500m, memory: 256Mi }
          securityContext:
            {{- toYaml .root.Values.global.containerSecurityContext | nindent 12 }}
          {{- include "recsys.tmpMount" . | nindent 10 }}
      {{- include "recsys.tmpVolume" . | nindent 6 }}
{{- end }}
{{- end -}}

{{- define "recsys.hpa" -}}
{{- $c := index .root.Values .name -}}
{{- if and $c.enabled $c.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "recsys.componentName" . }}
  labels:
    {{- include "recsys.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "recsys.componentName" . }}
  minReplicas: {{ $c.autoscaling.minReplicas }}
  maxReplicas: {{ $c.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $c.autoscaling.targetCPUUtilizationPercentage }}
    {{- if $c.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $c.autoscaling.targetMemoryUtilizationPercentage }}
    {{- end }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
{{- end }}
{{- end -}}

{{- define "recsys.pdb" -}}
{{- $c := index .root.Values .name -}}
{{- if and $c.enabled $c.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "recsys.componentName" . }}
  labels:
    {{- include "recsys.labels" . | nindent 4 }}
spec:
  {{- if hasKey $c.pdb "maxUnavailable" }}
  maxUnavailable: {{ $c.pdb.maxUnavailable }}
  {{- else }}
  minAvailable: {{ $c.pdb.minAvailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "recsys.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}

{{- define "recsys.networkpolicy" -}}
{{- $c := index .root.Values .name -}}
{{- $np := .root.Values.networkPolicy -}}
{{- $root := .root -}}
{{- if and $c.enabled $np.enabled }}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "recsys.componentName" . }}
  labels:
    {{- include "recsys.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "recsys.selectorLabels" . | nindent 6 }}
  policyTypes:
    - Ingress
    {{- if $np.egress }}
    - Egress
    {{- end }}
  ingress:
    {{- if $c.networkPolicy.allowFrom }}
    # Other RecSys components that call this one (internal endpoints, service token).
    - from:
        {{- range $c.networkPolicy.allowFrom }}
        # <component> pods and its one-off run pods (<component>-run, e.g. the publisher CronJob).
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: recsys
              app.kubernetes.io/instance: {{ $root.Release.Name }}
            matchExpressions:
              - key: app.kubernetes.io/component
                operator: In
                values: [{{ . | quote }}, {{ printf "%s-run" . | quote }}]
        {{- end }}
      ports:
        - port: http
          protocol: TCP
    {{- end }}
    {{- if $c.public }}
    # Public API callers (ingress controller, product backends).
    - ports:
        - port: http
          protocol: TCP
      {{- with $np.publicFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    # Prometheus scraping /metrics.
    - from:
        - namespaceSelector:
            {{- toYaml $np.metricsNamespaceSelector | nindent 12 }}
      ports:
        - port: http
          protocol: TCP
  {{- if $np.egress }}
  egress:
    - ports:
        - { port: 53, protocol: UDP }
        - { port: 53, protocol: TCP }
    - to:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: recsys
              app.kubernetes.io/instance: {{ $root.Release.Name }}
    {{- toYaml $np.egress | nindent 4 }}
  {{- end }}
{{- end }}
{{- end -}}

{{- define "recsys.servicemonitor" -}}
{{- $c := index .root.Values .name -}}
{{- $sm := .root.Values.metrics.serviceMonitor -}}
{{- if and $c.enabled $sm.enabled (or (.root.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") $sm.forceRender) }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "recsys.componentName" . }}
  labels:
    {{- include "recsys.labels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "recsys.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      # The services' own `service` and `endpoint` labels (e.g. service="serving", endpoint="recommend") win over
      # the target labels of the same names that the operator adds; alerts and the dashboard group by them.
      honorLabels: true
      interval: {{ $sm.interval }}
      scrapeTimeout: {{ $sm.scrapeTimeout }}
{{- end }}
{{- end -}}
