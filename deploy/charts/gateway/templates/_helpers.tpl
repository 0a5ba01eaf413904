{{/* The gateway's name: .Values.name, else the release name. */}}
{{- define "gateway.name" -}}
{{- .Values.name | default .Release.Name | default "istio-ingressgateway" -}}
{{- end }}

{{- define "gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "gateway.name" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end }}

{{/*
The labels that select the gateway's pods (Deployment and PDB): app: <name>, istio: <name without
"istio-">; labels.app and labels.istio replace them.
*/}}
{{- define "gateway.selectorLabels" -}}
{{- $name := include "gateway.name" . -}}
app: {{ .Values.labels.app | default $name | quote }}
istio: {{ .Values.labels.istio | default ($name | trimPrefix "istio-") | quote }}
{{- end }}

{{/*
The Service's selector: the default selector labels merged with service.selectorLabels. A key
given there replaces the default of the same name, so every key appears exactly once, and the
output is sorted by key, so it is the same on every render.
*/}}
{{- define "gateway.serviceSelector" -}}
{{- $selector := include "gateway.selectorLabels" . | fromYaml -}}
{{- range $key, $value := .Values.service.selectorLabels | default dict }}
{{- $_ := set $selector $key $value }}
{{- end }}
{{- toYaml $selector -}}
{{- end }}

{{/* Pod labels: labels, then the selector labels (which win), then the revision. */}}
{{- define "gateway.podLabels" -}}
{{- $labels := deepCopy (.Values.labels | default dict) -}}
{{- range $key, $value := include "gateway.selectorLabels" . | fromYaml }}
{{- $_ := set $labels $key $value }}
{{- end }}
{{- $_ := set $labels "sidecar.istio.io/inject" "true" }}
{{- with .Values.revision }}
{{- $_ := set $labels "istio.io/rev" . }}
{{- end }}
{{- with .Values.networkGateway }}
{{- $_ := set $labels "topology.istio.io/network" . }}
{{- end }}
{{- toYaml $labels -}}
{{- end }}

{{/* Labels of every object the chart makes. */}}
{{- define "gateway.labels" -}}
{{- $labels := deepCopy (.Values.labels | default dict) -}}
{{- range $key, $value := include "gateway.selectorLabels" . | fromYaml }}
{{- $_ := set $labels $key $value }}
{{- end }}
{{- $_ := set $labels "app.kubernetes.io/name" (include "gateway.name" .) }}
{{- $_ := set $labels "app.kubernetes.io/instance" .Release.Name }}
{{- $_ := set $labels "app.kubernetes.io/managed-by" .Release.Service }}
{{- $_ := set $labels "app.kubernetes.io/version" (.Chart.AppVersion | toString) }}
{{- $_ := set $labels "helm.sh/chart" (printf "%s-%s" .Chart.Name (.Chart.Version | toString)) }}
{{- with .Values.revision }}
{{- $_ := set $labels "istio.io/rev" . }}
{{- end }}
{{- with .Values.networkGateway }}
{{- $_ := set $labels "topology.istio.io/network" . }}
{{- end }}
{{- toYaml $labels -}}
{{- end }}

{{/* More than one replica: the PDB is worth rendering. */}}
{{- define "gateway.multipleReplicas" -}}
{{- if .Values.autoscaling.enabled -}}
{{- if gt (int .Values.autoscaling.minReplicas) 1 }}true{{ end -}}
{{- else if gt (int (.Values.replicaCount | default 1)) 1 }}true{{ end -}}
{{- end }}
