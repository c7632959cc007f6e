/** `alertlab catalog` — placeholder until its module lands. */
export async function run(_args: string[]): Promise<number> {
  console.error('alertlab catalog: not implemented yet');
  return 1;
}
