import { POLICY_PRINTERS } from './policy-printers.js';
import { DEFAULT_PRINTER, PRINTERS as WORKLOAD_PRINTERS } from './table-printers.js';
import { type KubeObject } from './types.js';

/*
 * Server-side printing: `meta.k8s.io/v1` Tables with the columns the real API server prints for each kind. The server
 * fills every column (wide ones too); clients hide priority-1 columns unless asked (`-o wide`). `rows[].object` is a
 * PartialObjectMetadata: kubectl's NAMESPACE column and the MCP server's LABELS are read from it.
 */

const PRINTERS = { ...WORKLOAD_PRINTERS, ...POLICY_PRINTERS };

export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object: { kind: 'PartialObjectMetadata'; apiVersion: 'meta.k8s.io/v1'; metadata: Record<string, unknown> };
}

/** metav1.ListMeta of a list or Table answer. */
export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ListMeta;
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

/** The row object: the object's metadata (without managedFields), as PartialObjectMetadata. */
export function partialObjectMetadata(obj: KubeObject): TableRow['object'] {
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

export function tableColumns(kind: string): ColumnDefinition[] {
  return (PRINTERS[kind] ?? DEFAULT_PRINTER).columns;
}

export function tableRow(obj: KubeObject, now: number): TableRow {
  const printer = PRINTERS[obj.kind] ?? DEFAULT_PRINTER;
  return { cells: printer.cells(obj, now), object: partialObjectMetadata(obj) };
}

/** A Table of objects of one kind (`meta` is the list's resourceVersion, or its whole ListMeta when paged). */
export function toTable(kind: string, objects: KubeObject[], meta: string | ListMeta, now: number): Table {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: typeof meta === 'string' ? { resourceVersion: meta } : meta,
    columnDefinitions: tableColumns(kind),
    rows: objects.map((o) => tableRow(o, now))
  };
}
