import { PageHeader } from '../components/page-header';

export function ApprovalsPage() {
  return <PageHeader title="approvals" description="not built yet" />;
}
