import { ConfigError, loadConfig, type Config } from '../../config/index.js'

/** Load the configuration or stop the process with every problem named. */
export function bootConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  try {
    return loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }
}
