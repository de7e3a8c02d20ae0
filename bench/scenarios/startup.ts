// The startup bench's scenario: one request, as soon as possible.
import { http } from 'mcprun';

export default async function () {
  await http.get(process.env.TARGET!);
}
