import { Option, type Command } from 'commander'
import { audit } from '../../audit/repo.js'
import { createDb } from '../../db/connect.js'
import { ROLES, type Role } from '../../db/schema.js'
import { isId } from '../../lib/ids.js'
import { getMerchant } from '../../merchants/repo.js'
import { findByLogin } from '../../users/repo.js'
import { createUser, resetPassword } from '../../users/service.js'
import { normalizeLogin } from '../../users/types.js'
import { bootConfig } from '../boot.js'

async function withDb<T>(fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const config = bootConfig()
  const db = createDb({ ...config.db, poolSize: 2 })
  try {
    return await fn(db)
  } finally {
    await db.destroy()
  }
}

const consoleUrl = () => `${bootConfig().api.publicUrl}/app/`

/** `entrepot user create` (the first admin of a merchant) and `entrepot user reset-password`. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage console users')
  user
    .command('create')
    .description('create a console user; prints a one-time password to replace at the first sign-in')
    .requiredOption('--merchant <id>', 'merchant id')
    .option('--email <email>', 'email to sign in with')
    .option('--phone <phone>', 'phone to sign in with')
    .option('--name <name>', 'display name (default: the email or phone)')
    .addOption(new Option('--role <role>', 'role of the user').choices(ROLES).makeOptionMandatory())
    .action(async (o: { merchant: string; email?: string; phone?: string; name?: string; role: Role }) => {
      if (!isId(o.merchant)) throw new Error(`--merchant ${o.merchant} is not a merchant id`)
      if (!o.email && !o.phone) throw new Error('give --email or --phone to sign in with')
      await withDb(async (db) => {
        if (!(await getMerchant(db, o.merchant))) throw new Error(`merchant ${o.merchant} not found`)
        const { user: u, password } = await createUser(db, o.merchant, {
          email: o.email ?? null,
          phone: o.phone ?? null,
          name: o.name ?? o.email ?? o.phone!,
          role: o.role,
        })
        await audit(db, o.merchant, {
          actorType: 'cli',
          actorId: null,
          action: 'user.create',
          entityType: 'user',
          entityId: u.id,
          detail: { login: u.email ?? u.phone, role: u.role },
        })
        process.stdout.write(
          `${JSON.stringify({ id: u.id, login: u.email ?? u.phone, role: u.role, oneTimePassword: password, console: consoleUrl() }, null, 2)}\n` +
            'Sign in at the console with this one-time password; it asks for a new one at once.\n',
        )
      })
    })
  user
    .command('reset-password')
    .description("replace a user's password with a one-time password and end their sessions")
    .requiredOption('--login <email-or-phone>', 'the email or phone the user signs in with')
    .action(async (o: { login: string }) => {
      const login = normalizeLogin(o.login)
      if (!login) throw new Error(`--login ${o.login} is neither an email nor a phone`)
      await withDb(async (db) => {
        const found = await findByLogin(db, login)
        if (!found) throw new Error(`no user signs in with ${login.value}`)
        const password = await resetPassword(db, found.user.merchantId, found.user.id)
        await audit(db, found.user.merchantId, {
          actorType: 'cli',
          actorId: null,
          action: 'user.password_reset',
          entityType: 'user',
          entityId: found.user.id,
        })
        process.stdout.write(
          `${JSON.stringify({ id: found.user.id, login: login.value, oneTimePassword: password, console: consoleUrl() }, null, 2)}\n`,
        )
      })
    })
}
