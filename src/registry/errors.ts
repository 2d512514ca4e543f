/**
 * The registry's errors with Confluent Schema Registry's HTTP statuses, error codes and messages
 * (its `Errors` class), answered as `{"error_code": N, "message": "..."}`. One function per error,
 * so the wording lives in one place.
 *
 * Incompatible schemas answer HTTP 409 with error code 409, as Confluent Platform 5-7 and the
 * documented API do (the newest releases say 40901; clients look at the HTTP status).
 */

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status: number;
  readonly errorCode: number;

  constructor(status: number, errorCode: number, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  toJSON(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

export const Errors = {
  subjectNotFound: (subject: string) => new RegistryError(404, 40401, `Subject '${subject}' not found.`),
  versionNotFound: (version: number | string) =>
    new RegistryError(404, 40402, `Version ${version} not found.`),
  schemaNotFound: (id?: number) =>
    new RegistryError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (subject: string) =>
    new RegistryError(
      404,
      40404,
      `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`,
    ),
  subjectNotSoftDeleted: (subject: string) =>
    new RegistryError(
      404,
      40405,
      `Subject '${subject}' was not deleted first before being permanently deleted`,
    ),
  versionSoftDeleted: (subject: string, version: number | string) =>
    new RegistryError(
      404,
      40406,
      `Subject '${subject}' Version ${version} was soft deleted.Set permanent=true to delete permanently`,
    ),
  versionNotSoftDeleted: (subject: string, version: number | string) =>
    new RegistryError(
      404,
      40407,
      `Subject '${subject}' Version ${version} was not deleted first before being permanently deleted`,
    ),
  subjectCompatibilityNotConfigured: (subject: string) =>
    new RegistryError(
      404,
      40408,
      `Subject '${subject}' does not have subject-level compatibility configured`,
    ),
  subjectModeNotConfigured: (subject: string) =>
    new RegistryError(404, 40409, `Subject '${subject}' does not have subject-level mode configured`),
  incompatibleSchema: (subject: string, messages: readonly string[]) =>
    new RegistryError(
      409,
      409,
      `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${messages.join(', ')}]`,
    ),
  invalidSchema: (message: string) => new RegistryError(422, 42201, message),
  invalidVersion: (version: string) =>
    new RegistryError(
      422,
      42202,
      `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibilityLevel: () =>
    new RegistryError(
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  invalidMode: () =>
    new RegistryError(422, 42204, 'Invalid mode. Valid values are READWRITE, READONLY, and IMPORT.'),
  operationNotPermitted: (message: string) => new RegistryError(422, 42205, message),
  referenceExists: (subject: string, version: number) =>
    new RegistryError(
      422,
      42206,
      `One or more references exist to the schema {magic=1,keytype=SCHEMA,subject=${subject},version=${version}}.`,
    ),
  idDoesNotMatch: (message: string) => new RegistryError(422, 42207, message),
  invalidSubject: (subject: string) =>
    new RegistryError(422, 42208, `The specified subject '${subject}' is not a valid.`),
  store: (message: string) => new RegistryError(500, 50001, message),
  timeout: (message: string) => new RegistryError(500, 50002, message),
  forwardingFailed: (message: string) => new RegistryError(500, 50003, message),
  unknownLeader: () => new RegistryError(500, 50004, 'Leader not known.'),
  /** rest-utils' answers for malformed requests. */
  badRequest: (message: string) => new RegistryError(400, 400, message),
  unprocessable: (message: string) => new RegistryError(422, 422, message),
  notFound: () => new RegistryError(404, 404, 'HTTP 404 Not Found'),
  methodNotAllowed: () => new RegistryError(405, 405, 'HTTP 405 Method Not Allowed'),
  notAcceptable: () => new RegistryError(406, 406, 'HTTP 406 Not Acceptable'),
  unsupportedMediaType: () => new RegistryError(415, 415, 'HTTP 415 Unsupported Media Type'),
} as const;
