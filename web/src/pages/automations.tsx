import { PageHeader } from '../components/page-header';

export function AutomationsPage() {
  return <PageHeader title="automations" description="not built yet" />;
}
