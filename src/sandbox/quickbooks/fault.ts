/** QBO Fault bodies as the real API sends them (upper-case keys; 401s use lower-case). */
export class QboError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail: string,
    readonly type = 'ValidationFault',
    readonly element?: string,
  ) {
    super(message);
  }
  body(now: number): Record<string, unknown> {
    return { Fault: this.fault(), time: new Date(now).toISOString() };
  }
  fault(): Record<string, unknown> {
    const err: Record<string, unknown> = { Message: this.message, Detail: this.detail, code: this.code };
    if (this.element) err.element = this.element;
    return { Error: [err], type: this.type };
  }
}

export const validation = (code: string, message: string, detail: string, element?: string) => new QboError(400, code, message, detail, 'ValidationFault', element);

export const notFound = (what: string, element?: string) =>
  validation('610', 'Object Not Found', `Object Not Found : Something you're trying to use has been made inactive or deleted. Check the fields with accounts, customers, items, vendors or employees. (${what})`, element);

export const businessRule = (detail: string, element?: string) => validation('6000', 'A business validation error has occurred while processing your request', `Business Validation Error: ${detail}`, element);

export const unsupportedProperty = (prop: string) =>
  validation('2010', 'Request has invalid or unsupported property', `Property Name:Unrecognized field "${prop}" specified value is not supported`, prop);

export const requiredParam = (prop: string) => validation('2020', 'Required param missing, need to supply the required value for the API', `Required parameter ${prop} is missing in the request`, prop);

export const lengthError = (prop: string, max: number, got: number) =>
  validation('2050', 'String length is either shorter or longer than supported by specification', `String length specified does not match the supported length. Min:0 Max:${max} supported. Supplied length:${got}`, prop);

export const invalidValue = (prop: string, detail: string) => validation('2010', 'Request has invalid or unsupported property', `${prop}: ${detail}`, prop);

export const staleObject = () =>
  validation('5010', 'Stale Object Error', 'Stale Object Error : You and sandbox user were working on this at the same time. sandbox user finished before you did, so your work was not saved.');

export const throttled = () =>
  new QboError(429, '3001', 'message=ThrottleExceeded; errorCode=003001; statusCode=429', 'The request limit was reached. Try again later', 'SERVICE');

export const queryError = (detail: string) => new QboError(400, '4000', 'Error parsing query', `QueryParserError: ${detail}`, 'ValidationFault');
export const queryValidation = (detail: string) => new QboError(400, '4001', 'Invalid query', `QueryValidationError: ${detail}`, 'ValidationFault');

/** The lower-case body of a 401 (observed on the real API). */
export function authFailure(now: number, detail: string): Record<string, unknown> {
  return {
    fault: { error: [{ message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401', detail, code: '3200' }], type: 'AUTHENTICATION' },
    time: new Date(now).toISOString(),
  };
}
