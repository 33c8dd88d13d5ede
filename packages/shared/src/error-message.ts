/** What a caught value says: an Error's message, anything else as text (a thrown value need not be an Error). */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
