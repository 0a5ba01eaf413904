{{/* The name of the chart's objects: nameOverride, else the release name. */}}
{{- define "ambientd.name" -}}
{{- .Values.nameOverride | default .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* Cluster-scoped objects carry the namespace too: two installs must not share them. */}}
{{- define "ambientd.clusterName" -}}
{{- printf "%s-%s" (include "ambientd.name" .) .Release.Namespace | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{- define "ambientd.selectorLabels" -}}
app.kubernetes.io/name: ambientd
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "ambientd.labels" -}}
{{ include "ambientd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | toString | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name (.Chart.Version | toString) }}
{{- end }}

{{- define "ambientd.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default (.Chart.AppVersion | toString)) -}}
{{- end }}

{{/* More than one replica: the PDB is worth rendering. */}}
{{- define "ambientd.multipleReplicas" -}}
{{- if .Values.autoscaling.enabled -}}
{{- if gt (int .Values.autoscaling.minReplicas) 1 }}true{{ end -}}
{{- else if gt (int .Values.replicaCount) 1 }}true{{ end -}}
{{- end }}

{{/*
What ambientd's informers read in every cluster, its own and each remote one: the objects the
merged mesh is built from. Shared by the primary's ClusterRole and mode=remote's reader.
*/}}
{{- define "ambientd.readerRules" -}}
- apiGroups: [""]
  resources: ["namespaces", "pods", "services", "nodes"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["get", "list", "watch"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["gateways"]
  verbs: ["get", "list", "watch"]
# ztunnel's service-account tokens are reviewed by the cluster each ztunnel runs in.
- apiGroups: ["authentication.k8s.io"]
  resources: ["tokenreviews"]
  verbs: ["create"]
{{- end }}

{{/* ambientd's flags (the --config file); the keys are flag names. */}}
{{- define "ambientd.flags" -}}
cluster-id: {{ .Values.clusterID | quote }}
system-namespace: {{ .Release.Namespace | quote }}
mesh-config: /etc/ambientd/config/mesh.yaml
log-level: {{ .Values.log.level | quote }}
log-format: {{ .Values.log.format | quote }}
remote-secret-selector: {{ .Values.remoteSecretSelector | quote }}
remote-sync-timeout: {{ .Values.remoteSyncTimeout | quote }}
stale-cluster-limit: {{ .Values.staleClusterLimit | quote }}
require-remote-clusters: {{ .Values.requireRemoteClusters }}
{{- with .Values.insecureKubeconfigOptions }}
insecure-kubeconfig-options: {{ join "," . | quote }}
{{- end }}
xds-address: {{ printf "0.0.0.0:%d" (int .Values.xds.port) | quote }}
{{- if .Values.xds.tls.enabled }}
xds-tls-address: {{ printf "0.0.0.0:%d" (int .Values.xds.tls.port) | quote }}
xds-tls-cert: /etc/ambientd/tls/tls.crt
xds-tls-key: /etc/ambientd/tls/tls.key
xds-client-ca: /etc/ambientd/tls/ca.crt
xds-tls-reload: {{ .Values.xds.tls.reload | quote }}
xds-client-cert: {{ .Values.xds.tls.clientCert | quote }}
{{- with .Values.xds.tls.allowedSpiffeIDs }}
xds-allowed-spiffe-ids: {{ join "," . | quote }}
{{- end }}
{{- end }}
monitoring-address: {{ printf ":%d" (int .Values.monitoringPort) | quote }}
debug-address: "127.0.0.1:8080"
leader-election: {{ .Values.leaderElection.enabled }}
lease-name: {{ .Values.leaderElection.leaseName | quote }}
lease-duration: {{ .Values.leaderElection.leaseDuration | quote }}
renew-deadline: {{ .Values.leaderElection.renewDeadline | quote }}
retry-period: {{ .Values.leaderElection.retryPeriod | quote }}
status-configmap: {{ .Values.leaderElection.statusConfigMap | quote }}
{{- end }}
