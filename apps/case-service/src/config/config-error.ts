/** A setting the service cannot start with: the message names the variable and what is wrong. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Configuration ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}
