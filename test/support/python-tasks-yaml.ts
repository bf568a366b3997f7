/** The `tasks:` section of a workflow.yaml whose tasks are python, each in tasks/<name>.py, as the local tests write it. */

/**
 * `tasks:` with, for each task in order, `executor: python`, `file: tasks/<task>.py` and then its own settings,
 * one YAML line each as written under the task (`foreach: discover.items`, `depends_on: [process]`). Whatever
 * goes above `tasks:` (params, defaults) is the caller's to put in front.
 */
export function pythonTasksYaml(tasks: Readonly<Record<string, readonly string[]>>): string {
  const lines = ['tasks:'];
  for (const [name, settings] of Object.entries(tasks)) {
    lines.push(`  ${name}:`, '    executor: python', `    file: tasks/${name}.py`, ...settings.map((setting) => `    ${setting}`));
  }
  return `${lines.join('\n')}\n`;
}
