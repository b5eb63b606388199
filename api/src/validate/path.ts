/**
 * The one naming rule of `property` in check failures and agent violations: the path as the user
 * writes it in a Pulumi program — schema (camelCase) names, `.` between levels, `[i]` for list
 * items, e.g. `networks[0].mac`, `dhcp.reservations[1].ip`.
 */
export function propertyPath(path: readonly PropertyKey[]): string {
  return (
    path.map((p, k) => (typeof p === "number" ? `[${p}]` : `${k > 0 ? "." : ""}${String(p)}`)).join("") ||
    "(inputs)"
  );
}
