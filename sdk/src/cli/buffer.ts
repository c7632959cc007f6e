/** `alertlab buffer` — placeholder until its module lands. */
export async function run(_args: string[]): Promise<number> {
  console.error('alertlab buffer: not implemented yet');
  return 1;
}
