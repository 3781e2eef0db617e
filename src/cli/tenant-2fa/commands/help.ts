/** The example block every command's --help ends with. */
export function example(commandLine: string): string {
  return `\nExample:\n  $ ${commandLine}\n`;
}
