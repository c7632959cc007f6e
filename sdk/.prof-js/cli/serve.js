/** `alertlab serve` — placeholder until its module lands. */
export async function run(_args) {
    console.error('alertlab serve: not implemented yet');
    return 1;
}
