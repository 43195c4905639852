/**
 * Fastify's schema compilers, deferred: a route's validators and response serializers are compiled
 * the first time the route is called, not when the app starts.
 *
 * Compiling all of them up front took about 2 s of CPU per app (fast-json-stringify ~1.6 s, Ajv
 * ~0.5 s for some 250 routes) — paid by every start of the API and the worker, and by every test
 * file that builds an app to call three of its routes. The compilers are Fastify's own defaults
 * (Ajv with `AJV_OPTIONS`, fast-json-stringify), so what a route accepts and answers is unchanged;
 * only when the work is done moves. A schema that cannot compile would now fail at its route's first
 * call rather than at start-up: test/integration/api/openapi.test.ts builds the app with
 * `compileSchemas: 'at-start'` so that such a schema still fails the suite.
 */
import AjvCompiler from '@fastify/ajv-compiler'
import SerializerSelector from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type ValidatorBuilder = ReturnType<typeof AjvCompiler>
type SerializerBuilder = ReturnType<typeof SerializerSelector>
type Validate = ((data: unknown) => unknown) & { errors?: unknown }

/** Compile on first call; Fastify reads `.errors` off the function it was given after a failed check. */
function deferValidator(compile: () => Validate): Validate {
  let compiled: Validate | undefined
  const validate: Validate = (data) => {
    compiled ??= compile()
    const result = compiled(data)
    validate.errors = compiled.errors
    return result
  }
  return validate
}

function deferSerializer(compile: () => (doc: unknown) => string): (doc: unknown) => string {
  let compiled: ((doc: unknown) => string) | undefined
  return (doc) => (compiled ??= compile())(doc)
}

type Route = { schema: unknown; method: string; url: string; httpPart?: string; httpStatus?: string }

export function deferredCompilers(): NonNullable<FastifyServerOptions['schemaController']> {
  const validators: ValidatorBuilder = AjvCompiler()
  const serializers: SerializerBuilder = SerializerSelector()
  const compilersFactory = {
    buildValidator: (externalSchemas: unknown, options: unknown) => {
      const compiler = validators(externalSchemas as never, options as never)
      return (route: Route) => deferValidator(() => compiler(route as never) as unknown as Validate)
    },
    buildSerializer: (externalSchemas: unknown, options: unknown) => {
      const compiler = serializers(externalSchemas, options as never)
      return (route: Route) => deferSerializer(() => compiler(route as never))
    },
  }
  // Fastify types the factories by Ajv's own function type; the deferred ones keep its call shape.
  return { compilersFactory } as unknown as NonNullable<FastifyServerOptions['schemaController']>
}
