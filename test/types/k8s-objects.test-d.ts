/**
 * The renderer's own object types (shipped code cannot import kubernetes-models) are Kubernetes
 * objects: each one is assignable to kubernetes-models' interface for its kind.
 */
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { expectTypeOf, test } from 'vitest';
import type { ConfigMap, Job, RunObjects, Secret, Service } from '../../runtime/k8s/objects.js';

test('each rendered kind is its Kubernetes interface', () => {
  expectTypeOf<Job>().toExtend<IJob>();
  expectTypeOf<Service>().toExtend<IService>();
  expectTypeOf<ConfigMap>().toExtend<IConfigMap>();
  expectTypeOf<Secret>().toExtend<ISecret>();
  expectTypeOf<NonNullable<RunObjects['secret']>>().toExtend<ISecret>();
});

type Replace<T, K extends keyof T, V> = Omit<T, K> & { [P in K]: V };

test('a value the API does not take, or of the wrong type, does not pass', () => {
  expectTypeOf<Replace<Job, 'spec', Replace<Job['spec'], 'completionMode', 'Sometimes'>>>().not.toExtend<IJob>();
  expectTypeOf<Replace<Job, 'spec', Replace<Job['spec'], 'completions', string>>>().not.toExtend<IJob>();
  expectTypeOf<Replace<Service, 'spec', Replace<Service['spec'], 'clusterIP', 0>>>().not.toExtend<IService>();
});
