/** `alertlab kafka` — placeholder until its module lands. */
export async function run(_args: string[]): Promise<number> {
  console.error('alertlab kafka: not implemented yet');
  return 1;
}
