import { AuthCard } from './AuthCard';
import { SignInForm } from './SignInForm';

/** `notice`: why the page is back at sign-in (an admin disabled the user), in main's words. */
export function SignIn({ onDone, notice = null }: { onDone: () => Promise<void>; notice?: string | null }) {
  return (
    <AuthCard title="Sign in" subtitle="Certification tracking for your association's staff.">
      <SignInForm onDone={onDone} notice={notice} />
    </AuthCard>
  );
}
