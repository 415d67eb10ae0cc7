/** Architecture layers: named path globs and which layers each may import. */
export interface LayerConfig {
  layers: { name: string; paths: string[] }[];
  /** layer name → layer names it may import; layers not listed may import anything. */
  allow: Record<string, string[]>;
}
