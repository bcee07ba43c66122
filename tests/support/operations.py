"""GraphQL documents the tests send, written as the portals would."""

REGISTER_SPONSOR = """
mutation ($input: RegisterSponsorInput!) {
  registerSponsor(input: $input) {
    __typename
    ... on RegisterSponsorSuccess {
      sponsor { id name }
      invitation { id email role status deliveryStatus expiresAt sponsor { name } }
      warnings { code message }
    }
    ... on InvalidInput { message fieldErrors { field code message } }
    ... on Error { message }
  }
}
"""

REGISTER_INSTITUTION = """
mutation ($input: RegisterInstitutionInput!) {
  registerInstitution(input: $input) {
    __typename
    ... on RegisterInstitutionSuccess {
      institution { id name careType status vouchersFrom sponsor { name } }
      invitation { id email role status institution { name } sponsor { name } }
      warnings { code }
    }
    ... on InvalidInput { fieldErrors { field message } }
    ... on Error { message }
  }
}
"""

ACCEPT = """
mutation ($token: String!) {
  acceptInvitation(token: $token) {
    __typename
    ... on AcceptInvitationSuccess {
      next
      user { id email role status sponsor { name } institution { name } }
      institution { id name }
    }
    ... on InvitationEmailMismatch { invitedEmailHint }
    ... on Error { message }
  }
}
"""

PUBLIC_INSTITUTIONS = """
query ($first: Int, $after: String, $filter: PublicInstitutionFilter) {
  publicInstitutions(first: $first, after: $after, filter: $filter) {
    edges {
      cursor
      node {
        id name careType status sponsor { name }
        address { organisation street houseNumber postalCode town }
        contactEmail phone website
      }
    }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""
