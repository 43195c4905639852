/**
 * Dictionaries, one file per area of the console, both languages side by side. `defineArea` makes
 * the English half have exactly the shape of the Chinese one, so a missing translation is a type
 * error, not a raw key on screen.
 */
export interface Messages {
  readonly [key: string]: string | Messages
}

/** The same keys as T, every leaf a string. */
export type Shape<T> = { readonly [K in keyof T]: T[K] extends string ? string : Shape<T[K]> }

export interface Area<T extends Messages> {
  readonly 'zh-CN': T
  readonly en: Shape<T>
}

export const defineArea = <const T extends Messages>(zh: T, en: Shape<T>): Area<T> => ({ 'zh-CN': zh, en })

/** 'orders.status.paid' for every leaf of a dictionary. */
export type Paths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Paths<T[K], `${P}${K}.`>
}[keyof T & string]
