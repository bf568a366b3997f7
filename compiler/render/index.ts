export * from './graph-labels.js';
export * from './render-mermaid.js';
export * from './render-dot.js';
