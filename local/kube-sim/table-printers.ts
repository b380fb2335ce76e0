import { age, podColumns } from './printers.js';
import { type ColumnDefinition } from './tables.js';
import { type Deployment, type KubeObject, type Pod, type ReplicaSet, type Service, isRecord } from './types.js';

/*
 * The columns and cells the API server prints for each kind (kubernetes pkg/printers/internalversion). Cells are
 * filled for every column, wide ones included; clients hide priority-1 columns unless asked (`-o wide`).
 */

export type Printer = { columns: ColumnDefinition[]; cells: (obj: KubeObject, now: number) => unknown[] };

export const col = (
  name: string,
  type: ColumnDefinition['type'] = 'string',
  priority = 0,
  format = ''
): ColumnDefinition => ({
  name,
  type,
  format,
  description: '',
  priority
});
export const NAME = col('Name', 'string', 0, 'name');
export const AGE = col('Age');

const none = (v: unknown): string => (v === undefined || v === null || v === '' ? '<none>' : String(v));
const labelsText = (l: unknown): string =>
  isRecord(l) && Object.keys(l).length > 0
    ? Object.entries(l)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',')
    : '<none>';
const containerInfo = (spec: unknown): [string, string] => {
  const containers =
    isRecord(spec) && Array.isArray(spec['containers']) ? (spec['containers'] as { name: string; image: string }[]) : [];
  return [containers.map((c) => c.name).join(','), containers.map((c) => c.image).join(',')];
};
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

export const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts', 'integer'),
      AGE,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1)
    ],
    cells: (obj, now) => {
      const pod = obj as Pod;
      const c = podColumns(pod);
      return [
        pod.metadata.name,
        c.ready,
        c.status,
        c.restarts,
        age(pod.metadata.creationTimestamp, now),
        none(pod.status?.podIP),
        none(pod.spec.nodeName),
        '<none>',
        '<none>'
      ];
    }
  },
  Deployment: {
    columns: [
      NAME,
      col('Ready'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1)
    ],
    cells: (obj, now) => {
      const d = obj as Deployment;
      const st = d.status ?? {};
      const [names, images] = containerInfo(d.spec.template?.spec);
      return [
        d.metadata.name,
        `${num(st['readyReplicas'])}/${d.spec.replicas ?? 1}`,
        num(st['updatedReplicas']),
        num(st['availableReplicas']),
        age(d.metadata.creationTimestamp, now),
        names,
        images,
        labelsText(d.spec.selector?.matchLabels)
      ];
    }
  },
  ReplicaSet: {
    columns: [
      NAME,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1)
    ],
    cells: (obj, now) => {
      const rs = obj as ReplicaSet;
      const st = rs.status ?? {};
      const [names, images] = containerInfo(rs.spec.template?.spec);
      return [
        rs.metadata.name,
        rs.spec.replicas ?? 1,
        num(st['replicas']),
        num(st['readyReplicas']),
        age(rs.metadata.creationTimestamp, now),
        names,
        images,
        labelsText(rs.spec.selector?.matchLabels)
      ];
    }
  },
  Service: {
    columns: [NAME, col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), AGE, col('Selector', 'string', 1)],
    cells: (obj, now) => {
      const s = obj as Service;
      const ports = (s.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',');
      return [
        s.metadata.name,
        s.spec.type ?? 'ClusterIP',
        none(s.spec.clusterIP),
        '<none>',
        none(ports),
        age(s.metadata.creationTimestamp, now),
        labelsText(s.spec.selector)
      ];
    }
  },
  Endpoints: {
    columns: [NAME, col('Endpoints'), AGE],
    cells: (obj, now) => {
      const subsets = Array.isArray(obj['subsets'])
        ? (obj['subsets'] as { addresses?: { ip: string }[]; ports?: { port: number }[] }[])
        : [];
      const list: string[] = [];
      for (const s of subsets)
        for (const a of s.addresses ?? [])
          for (const p of s.ports ?? [{ port: 0 }]) list.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      const shown = list.length > 3 ? `${list.slice(0, 3).join(',')} + ${list.length - 3} more...` : list.join(',');
      return [obj.metadata.name, none(shown), age(obj.metadata.creationTimestamp, now)];
    }
  },
  EndpointSlice: {
    columns: [NAME, col('AddressType'), col('Ports'), col('Endpoints'), AGE],
    cells: (obj, now) => {
      const eps = Array.isArray(obj['endpoints']) ? (obj['endpoints'] as { addresses: string[] }[]) : [];
      const ports = Array.isArray(obj['ports'])
        ? (obj['ports'] as { port?: number }[]).map((p) => String(p.port ?? '')).join(',')
        : '';
      return [
        obj.metadata.name,
        String(obj['addressType'] ?? 'IPv4'),
        none(ports),
        none(eps.flatMap((e) => e.addresses).join(',')),
        age(obj.metadata.creationTimestamp, now)
      ];
    }
  },
  Node: {
    columns: [
      NAME,
      col('Status'),
      col('Roles'),
      AGE,
      col('Version'),
      col('Internal-IP', 'string', 1),
      col('External-IP', 'string', 1),
      col('OS-Image', 'string', 1),
      col('Kernel-Version', 'string', 1),
      col('Container-Runtime', 'string', 1)
    ],
    cells: (obj, now) => {
      const st = (obj.status ?? {}) as {
        conditions?: { type: string; status: string }[];
        nodeInfo?: Record<string, string>;
        addresses?: { type: string; address: string }[];
      };
      const ready = st.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady';
      const info = st.nodeInfo ?? {};
      const ip = st.addresses?.find((a) => a.type === 'InternalIP')?.address;
      return [
        obj.metadata.name,
        ready,
        '<none>',
        age(obj.metadata.creationTimestamp, now),
        none(info['kubeletVersion']),
        none(ip),
        '<none>',
        none(info['osImage']),
        none(info['kernelVersion']),
        none(info['containerRuntimeVersion'])
      ];
    }
  },
  Namespace: {
    columns: [NAME, col('Status'), AGE],
    cells: (obj, now) => [
      obj.metadata.name,
      String((obj.status ?? {})['phase'] ?? 'Active'),
      age(obj.metadata.creationTimestamp, now)
    ]
  },
  Event: {
    columns: [
      col('Last Seen'),
      col('Type'),
      col('Reason'),
      col('Object'),
      col('Subobject', 'string', 1),
      col('Source', 'string', 1),
      col('Message'),
      col('First Seen', 'string', 1),
      col('Count', 'integer', 1),
      col('Name', 'string', 1)
    ],
    cells: (obj, now) => {
      const io = (obj['involvedObject'] ?? {}) as { kind?: string; name?: string; fieldPath?: string };
      const src = (obj['source'] ?? {}) as { component?: string; host?: string };
      const first = age(obj['firstTimestamp'] as string | undefined, now);
      const last = obj['lastTimestamp'] ? age(obj['lastTimestamp'] as string, now) : first;
      const target = io.name ? `${(io.kind ?? '').toLowerCase()}/${io.name}` : (io.kind ?? '').toLowerCase();
      const source = src.host ? `${src.component ?? ''}, ${src.host}` : (src.component ?? '');
      return [
        last,
        obj['type'] ?? '',
        obj['reason'] ?? '',
        target,
        io.fieldPath ?? '',
        source,
        String(obj['message'] ?? '').trim(),
        first,
        num(obj['count']),
        obj.metadata.name
      ];
    }
  },
  NetworkPolicy: {
    columns: [NAME, col('Pod-Selector'), AGE],
    cells: (obj, now) => {
      const sel = isRecord(obj.spec?.['podSelector'])
        ? (obj.spec['podSelector'] as Record<string, unknown>)['matchLabels']
        : undefined;
      return [
        obj.metadata.name,
        isRecord(sel) && Object.keys(sel).length > 0 ? labelsText(sel) : '<none>',
        age(obj.metadata.creationTimestamp, now)
      ];
    }
  },
  ConfigMap: {
    columns: [NAME, col('Data', 'integer'), AGE],
    cells: (obj, now) => [
      obj.metadata.name,
      Object.keys(isRecord(obj['data']) ? obj['data'] : {}).length +
        Object.keys(isRecord(obj['binaryData']) ? obj['binaryData'] : {}).length,
      age(obj.metadata.creationTimestamp, now)
    ]
  }
};

export const DEFAULT_PRINTER: Printer = {
  columns: [NAME, AGE],
  cells: (obj, now) => [obj.metadata.name, age(obj.metadata.creationTimestamp, now)]
};
