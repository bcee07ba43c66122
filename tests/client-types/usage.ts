// What a portal does with the answers of the documented operations, written against the
// generated types: a schema change that breaks this code breaks the build.
import type {
  AcceptInvitationMutation,
  ColleaguesQuery,
  MeQuery,
  PublicInstitutionsQuery,
  RegisterSponsorMutation,
} from "./generated/operations";

export function institutionLines(answer: PublicInstitutionsQuery): string[] {
  return answer.publicInstitutions.edges.map(
    ({ node }) => `${node.name} (${node.careType}), ${node.address?.town ?? "–"}`,
  );
}

export function signedInAs(answer: MeQuery): string | null {
  return answer.me.user?.email ?? answer.me.pendingInvitation?.role ?? null;
}

export function afterAccepting(answer: AcceptInvitationMutation): string {
  const outcome = answer.acceptInvitation;
  if (outcome === null) return "refused";
  switch (outcome.__typename) {
    case "AcceptInvitationSuccess":
      return outcome.next;
    case "InvitationEmailMismatch":
      return `sign in as ${outcome.invitedEmailHint}`;
    default:
      return outcome.message;
  }
}

export function registrationProblems(answer: RegisterSponsorMutation): string[] {
  const outcome = answer.registerSponsor;
  if (outcome === null) return ["refused"];
  switch (outcome.__typename) {
    case "RegisterSponsorSuccess":
      return outcome.warnings.map((warning) => warning.message);
    case "InvalidInput":
      return outcome.fieldErrors.map((error) => `${error.field}: ${error.message}`);
    default:
      return [outcome.message];
  }
}

export function colleagueActions(answer: ColleaguesQuery): Record<string, string[]> {
  const actions: Record<string, string[]> = {};
  for (const { node } of answer.users?.edges ?? []) {
    const can = node.viewerCan;
    actions[node.id] = [
      can.block ? "block" : null,
      can.unblock ? "unblock" : null,
      can.changeRole ? "change role" : null,
      can.delete ? "delete" : null,
    ].filter((action): action is string => action !== null);
  }
  return actions;
}
