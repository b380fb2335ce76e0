/** The session ids of the relay benchmarks: one name per index, shared by the appender and the followers. */
export const sessionId = (i: number): string => `s${String(i).padStart(7, '0')}`;
