/** Discrete safety inputs. Hardware interlocks act on their own; these let software react too. */
export interface SafetyInputs {
  estopActive(): boolean;
  doorOpen(): boolean;
}
