/** The `entrepot` command. */
import { Command } from 'commander'
import { registerAdminCommands } from './commands/admin.js'
import { registerFinanceCommands, registerOpsCommands } from './commands/ops.js'
import { registerServerCommands } from './commands/server.js'
import { registerUserCommands } from './commands/users.js'

export function buildProgram(): Command {
  const program = new Command('entrepot')
    .description('Entrepot — multi-channel order, inventory and finance hub')
    .version('0.1.0')
    .showHelpAfterError()
  registerServerCommands(program)
  registerAdminCommands(program)
  registerUserCommands(program)
  registerOpsCommands(program)
  registerFinanceCommands(program)
  return program
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`entrepot: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
