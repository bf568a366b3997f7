import { Codes, makeDiagnostic, type Diagnostic } from '../../diagnostics/index.js';
import { everyTask, rawTask, type ValidationRule } from './validation-rule.js';

const LAMBDA_MEMORY = { min: 128, max: 10240 };

/** Fargate's valid memory sizes (MB) for each vCPU setting. */
const FARGATE: ReadonlyMap<number, { min: number; max: number; step: number } | readonly number[]> = new Map<
  number,
  { min: number; max: number; step: number } | readonly number[]
>([
  [0.25, [512, 1024, 2048]],
  [0.5, { min: 1024, max: 4096, step: 1024 }],
  [1, { min: 2048, max: 8192, step: 1024 }],
  [2, { min: 4096, max: 16384, step: 1024 }],
  [4, { min: 8192, max: 30720, step: 1024 }],
  [8, { min: 16384, max: 61440, step: 4096 }],
  [16, { min: 32768, max: 122880, step: 8192 }],
]);

function fargateAllows(cpu: number, memory: number): boolean {
  const sizes = FARGATE.get(cpu);
  if (!sizes) return false;
  if (Array.isArray(sizes)) return sizes.includes(memory);
  const range = sizes as { min: number; max: number; step: number };
  return memory >= range.min && memory <= range.max && (memory - range.min) % range.step === 0;
}

function describe(cpu: number): string {
  const sizes = FARGATE.get(cpu);
  if (!sizes) return '';
  if (Array.isArray(sizes)) return sizes.join(', ');
  const range = sizes as { min: number; max: number; step: number };
  return `${range.min} to ${range.max} in steps of ${range.step}`;
}

/** ORK214: memory within Lambda's range; container cpu and memory a combination Fargate offers. */
export const resourcesRule: ValidationRule = {
  name: 'resources',
  check(context) {
    const found: Diagnostic[] = [];
    for (const { task, path } of everyTask(context.spec)) {
      const raw = rawTask(context, path) ?? {};
      const memoryPath = raw.memory !== undefined ? [...path, 'memory'] : ['defaults', 'memory'];
      if (task.executor !== 'container') {
        if (task.memoryMb < LAMBDA_MEMORY.min || task.memoryMb > LAMBDA_MEMORY.max) {
          found.push(
            makeDiagnostic(
              Codes.invalidResources,
              context.sourceMap.locate(memoryPath),
              `task '${task.name}': memory ${task.memoryMb} MB is outside Lambda's ${LAMBDA_MEMORY.min}–${LAMBDA_MEMORY.max} MB`,
              task.memoryMb > LAMBDA_MEMORY.max ? "use 'executor: container' for more memory" : undefined,
            ),
          );
        }
        continue;
      }
      const cpu = task.cpu ?? 1;
      const cpuPath = raw.cpu !== undefined ? [...path, 'cpu'] : ['defaults', 'cpu'];
      if (!FARGATE.has(cpu)) {
        found.push(
          makeDiagnostic(
            Codes.invalidResources,
            context.sourceMap.locate(cpuPath),
            `task '${task.name}': cpu ${cpu} is not a Fargate size`,
            `use one of ${[...FARGATE.keys()].join(', ')}`,
          ),
        );
      } else if (!fargateAllows(cpu, task.memoryMb)) {
        found.push(
          makeDiagnostic(
            Codes.invalidResources,
            context.sourceMap.locate(raw.memory !== undefined || task.cpu === undefined ? memoryPath : cpuPath),
            `task '${task.name}': Fargate has no ${cpu} vCPU size with ${task.memoryMb} MB`,
            `with cpu ${cpu}, memory can be ${describe(cpu)} MB`,
          ),
        );
      }
    }
    return found;
  },
};
