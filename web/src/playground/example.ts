/** What the playground opens with: signing in, then using the token. */
export const EXAMPLE_QUERY = `# The identity gateway's GraphQL API. The Docs button (top left) lists every type and field.
#
# 1. Sign in: run SignIn (the ▶ button) with the variables below.
# 2. Copy the token from the answer into the Headers tab:  { "Authorization": "Bearer <token>" }
#    (Signed in to the web console in this browser? Its session cookie is sent too: skip this step.)
# 3. Run Me, or anything else your session may do.

mutation SignIn($email: String!, $password: String!) {
  signIn(email: $email, password: $password) {
    token
    expiresAt
    agent {
      id
      email
    }
  }
}

query Me {
  me {
    id
    email
    name
  }
}
`;

/** The development demo's owner (npm start seeds it); replace with your own account elsewhere. */
export const EXAMPLE_VARIABLES = `{
  "email": "owner@demo.test",
  "password": "demo-password"
}
`;

/** Empty, so a console session's cookie is used until a token is pasted here. */
export const EXAMPLE_HEADERS = '';
