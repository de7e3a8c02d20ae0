/**
 * The shapes of the Kubernetes objects one run is made of: only the fields mcprun renders, named as
 * the Kubernetes API names them. Shipped code cannot depend on a schema package (kubernetes-models is
 * 22 MB, a devDependency), so these are our own; test/types/k8s-objects.test-d.ts proves each one is
 * assignable to kubernetes-models' IJob / IService / IConfigMap / ISecret, and the renderer's tests
 * walk every rendered key against those interfaces (their validators let unknown keys through).
 */

export type Labels = Record<string, string>;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels: Labels;
}

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: ObjectMeta;
  /** The run's bundle must not change under running pods (and the kubelet need not watch it). */
  immutable: true;
  data: Record<string, string>;
}

export interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta;
  type: 'Opaque';
  immutable: true;
  stringData: Record<string, string>;
}

export interface ServicePort {
  name: string;
  port: number;
  targetPort: number;
  protocol: 'TCP';
}

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    clusterIP: 'None';
    /** DNS names exist as soon as a pod has an address: instances start dialling before readiness. */
    publishNotReadyAddresses: true;
    selector: Labels;
    ports: ServicePort[];
  };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Volume {
  name: string;
  configMap?: { name: string; defaultMode: number };
  emptyDir?: Record<string, never>;
}

export interface ResourceRequirements {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

export interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  workingDir: string;
  env: EnvVar[];
  ports: Array<{ name: string; containerPort: number; protocol: 'TCP' }>;
  resources?: ResourceRequirements;
  securityContext: {
    allowPrivilegeEscalation: false;
    readOnlyRootFilesystem: true;
    capabilities: { drop: ['ALL'] };
  };
  volumeMounts: VolumeMount[];
}

export interface PodSpec {
  subdomain: string;
  restartPolicy: 'Never';
  enableServiceLinks: false;
  automountServiceAccountToken: false;
  terminationGracePeriodSeconds: number;
  securityContext: {
    runAsNonRoot: true;
    runAsUser: number;
    runAsGroup: number;
    seccompProfile: { type: 'RuntimeDefault' };
  };
  topologySpreadConstraints: Array<{
    maxSkew: number;
    topologyKey: string;
    whenUnsatisfiable: 'ScheduleAnyway';
    labelSelector: { matchLabels: Labels };
  }>;
  containers: Container[];
  volumes: Volume[];
}

export interface Job {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: ObjectMeta;
  spec: {
    completionMode: 'Indexed';
    completions: number;
    parallelism: number;
    backoffLimitPerIndex: 0;
    activeDeadlineSeconds: number;
    ttlSecondsAfterFinished: number;
    template: {
      metadata: { labels: Labels };
      spec: PodSpec;
    };
  };
}

/** Everything one run is made of, in the order they are applied. */
export interface RunObjects {
  /** Only when mcprun generated the run's token (see manifests.ts on why it is kept apart). */
  secret?: Secret;
  /** Absent when the scenario is already in the image. */
  configMap?: ConfigMap;
  service: Service;
  job: Job;
}
