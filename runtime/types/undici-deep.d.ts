// Deep imports of undici's Client and connector: the runtime needs only these, and importing
// undici's index pulls in fetch, WebSocket, caches and mocks (hundreds of KB parsed at every start).
declare module 'undici/lib/dispatcher/client.js' {
  import { Client } from 'undici';
  export default Client;
}
declare module 'undici/lib/core/connect.js' {
  import { buildConnector } from 'undici';
  export default buildConnector;
}
